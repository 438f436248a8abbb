"""A real SMTP server (aiosmtpd) that keeps every message it is given: the outgoing mail peer
of the integration tests. Usage: sink.py PORT OUT_DIR. Each message becomes OUT_DIR/<n>.eml
(written whole, then renamed), the envelope recipients in OUT_DIR/<n>.rcpt. Prints "ready"
once listening and stops when standard input closes."""
import os
import sys

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, out):
        self.out = out
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        base = os.path.join(self.out, str(self.n))
        with open(base + ".rcpt.tmp", "w") as f:
            f.write("\n".join(envelope.rcpt_tos))
        os.rename(base + ".rcpt.tmp", base + ".rcpt")
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 OK"


port, out = int(sys.argv[1]), sys.argv[2]
controller = Controller(Keep(out), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
