# Desk extras: canned responses, linked requests, mentions, Open311.
error-link_exists = These requests are already linked.

## Open311 GeoReport v2
open311-service-interpretation_translation = Interpretation and translation
open311-service-interpretation_translation-description = Translators and interpreters for documents, meetings and visits.
open311-service-international_exchange = International exchange
open311-service-international_exchange-description = Finding or working with a partner city abroad.
open311-service-overseas_visit = Overseas visit
open311-service-overseas_visit-description = Preparing a delegation's visit abroad: meetings, places, programme.
open311-service-information_request = Information request
open311-service-information_request-description = Facts about other countries' local governments and policies.
open311-service-general_inquiry = General inquiry
open311-service-general_inquiry-description = Any other question to the desk.
open311-hint-list = Several values separated by commas.
open311-hint-json = A JSON array of objects.
open311-hint-date = A date (YYYY-MM-DD) or date-time (ISO 8601).
open311-error-api-key = A valid api_key (a Glocal API token) is required.
open311-error-service-code = Unknown service_code.
open311-error-format = Ask for .json or .xml.
open311-error-date = start_date and end_date must be ISO 8601 date-times.
open311-notice = Received. The desk registers your request and answers in the language you chose.
open311-state-submitted = Received, waiting to be registered.
open311-state-registered = Registered.
open311-state-department_assigned = With the department in charge.
open311-state-staff_assigned = With the staff member in charge.
open311-state-interim_responded = Interim answer sent; work continues.
open311-state-answered = Answered; waiting for your confirmation.
open311-state-closed = Closed.
open311-state-on_hold = On hold: the desk is waiting for your reply.
open311-state-withdrawn = Withdrawn.
