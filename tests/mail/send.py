"""Sends one message with smtplib, as a mail server would hand it on. Usage:
send.py HOST PORT FROM TO SUBJECT MESSAGE_ID BODY [ATTACHMENT_NAME ATTACHMENT_TEXT]
Prints the server's final answer as "<code> <text>" and exits 0 whether it took it or not."""
import smtplib
import sys
from email.message import EmailMessage

host, port, sender, to, subject, message_id, body = sys.argv[1:8]
msg = EmailMessage()
msg["From"] = sender
msg["To"] = to
msg["Subject"] = subject
msg["Message-ID"] = message_id
msg.set_content(body)
if len(sys.argv) > 9:
    msg.add_attachment(sys.argv[9].encode(), maintype="text", subtype="plain", filename=sys.argv[8])
with smtplib.SMTP(host, int(port), timeout=30) as s:
    try:
        s.send_message(msg)
        print("250 taken")
    except smtplib.SMTPDataError as e:
        print(e.smtp_code, e.smtp_error.decode(errors="replace"))
    except smtplib.SMTPRecipientsRefused as e:
        print("rcpt-refused", e)
