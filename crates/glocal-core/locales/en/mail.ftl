# Mail of the desk. $reg is the registration number (or #id), $title the request's title.
mail-subject = [{ $reg }] { $title }
mail-acknowledged = Your request "{ $title }" has been registered as { $reg }. The desk will answer it; you will be told of every step.
mail-interim = An interim response to your request { $reg }:
mail-final = The final response to your request { $reg }:
mail-question = The desk needs more from you for request { $reg }. Its clock waits for your answer:
mail-reply = A new reply on your request { $reg }:
mail-requester-reply = The requester wrote on request { $reg }:
mail-sla-warning = Request { $reg } "{ $title }" has used 80% of its time for the step "{ $stage }".
mail-sla-breach = Request { $reg } "{ $title }" is past its deadline for the step "{ $stage }".
mail-link = Open the request: { $link }
mail-reply-hint = You can answer by replying to this mail; write above the quoted text.
