# Desk extras: canned responses, linked requests, mentions, Open311.
error-link_exists = These requests are already linked.
