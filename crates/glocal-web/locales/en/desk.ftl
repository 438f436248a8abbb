# The desk (Online Bureau)
error-transition_not_allowed = This action is not possible at the request's current step.
error-reopen_window_passed = The time for reopening this request has passed.
error-attachment_type = This type of file is not accepted, or its content does not match its name.
error-attachment_too_large = The file is too large.
error-not_ratable = A request can be rated once it has been answered.
error-unknown_department = Choose one of the association's departments or overseas offices.
error-unknown_staff = Choose an active member of the desk staff.
error-unknown_field = This field is not part of the form.
error-invalid_calendar = The calendar file could not be read.
