# Layout
a11y-skip-to-content = Skip to content
lang-label = Language
lang-switch = Change
nav-main-label = Main
nav-home = Home
nav-organizations = Organisations
nav-users = People
nav-audit = Audit log
nav-account = My account
nav-logout = Log out
footer-api = API
action-copy = Copy
action-save = Save
action-edit = Edit
action-filter = Filter
action-revoke = Revoke
form-has-errors = Please correct the fields marked below.
results-count = { $count ->
    [one] 1 result
   *[other] { $count } results
}
filter-text = Search
filter-all = All
pager-label = Pages
pager-prev = Previous
pager-next = Next
pager-status = Page { $page } of { $pages } ({ $total } in all)

# Notices after an action
flash-welcome = Welcome. You are logged in.
flash-logged-out = You are logged out.
flash-password-set = Your password is set. You can log in now.
flash-saved = Saved.
flash-password-changed = Your password is changed. Your other sessions were ended.
flash-token-revoked = The token is revoked.

# Login and setup
login-title = Log in
login-intro = Log in with the email address and password of your account.
login-submit = Log in
setup-title = Set your password
setup-intro = Choose a password for { $email }.
setup-submit = Set password
password-rules = At least 10 characters. Avoid common passwords and your email address.

# Home
home-title = Home
home-welcome = Welcome, { $name }.
home-shortcuts = Shortcuts
home-orgs-hint = Members, the association's units and partners
home-users-hint = Colleagues and contacts
home-account-hint = Profile, language, password and API tokens
home-new-user-hint = Give a colleague an account
home-audit-hint = Who changed or read what, and when

# Account
account-title = My account
account-profile = Profile
account-password = Password
account-change-password = Change password
account-tokens = API tokens
account-tokens-help = Tokens let scripts use the API in your name. Send one as "Authorization: Bearer <token>".
account-token-created = Your new token is below. Copy it now: it will not be shown again.
account-create-token = Create token
account-skills-help = Languages you work in (ko, en, zh-Hans, zh-Hant, ja, …) and countries you cover (JP, CN, …) route requests to you.

# Fields
field-email = Email
field-password = Password
field-new-password = New password
field-new-password-again = New password again
field-current-password = Current password
field-name = Name
field-name-en = Name in English
field-name-ko = Name in Korean
field-name-zh-hans = Name in Simplified Chinese
field-name-zh-hant = Name in Traditional Chinese
field-name-ja = Name in Japanese
field-title = Job title
field-phone = Phone
field-locale = Interface language
field-time-zone = Time zone
field-languages = Working languages
field-countries = Countries covered
field-organization = Organisation
field-org-code = Organisation code
field-roles = Roles
field-role = Role
field-token-name = Token name
field-valid-days = Valid for (days)
field-prefix = Begins with
field-created = Created
field-last-used = Last used
field-last-login = Last login
field-status = Status
field-actions = Actions
field-kind = Kind
field-tier = Level
field-code = Code
field-parent = Part of
field-parent-code = Parent organisation code
field-country = Country
field-city = City
field-website = Website
field-address = Address
field-active = Active
field-updated = Last changed
field-action = Action
field-subject-type = Record type
field-subject-id = Record id
field-subject = Record
field-when = When
field-who = Who
field-details = Details
status-active = Active
status-inactive = Inactive
status-revoked = Revoked

# Organisations
orgs-title = Organisations
orgs-new-title = New organisation
orgs-edit-title = Edit organisation
orgs-search-placeholder = Name in any language, code or city
orgs-show-users = People of this organisation
orgs-children = Organisations under it
orgs-tier-help = Required for member local governments.
org-kind-member_local_government = Member local government
org-kind-association_department = Association department
org-kind-overseas_office = Overseas office
org-kind-foreign_local_government = Foreign local government
org-kind-foreign_mission = Foreign mission
org-kind-international_organization = International organisation
org-kind-other = Other
org-tier-metropolitan = Metropolitan / provincial
org-tier-basic = City, county or district

# People
users-title = People
users-new-title = New account
users-edit-title = Edit account
users-search-placeholder = Name, email or job title
users-setup-link-created = Send this one-time link to the person so they can set their password. It is shown only now.
users-no-password = no password set yet
users-issue-setup-link = Issue a password link
users-audit-link = Audit log of this account
users-org-code-help = The code of the organisation, e.g. 1100000000 for Seoul or SEC-INTL.
users-new-help = Without a password, the new account gets a one-time link to set one.
role-requester = Requester
role-desk_staff = Desk staff
role-desk_manager = Desk manager
role-programme_manager = Programme manager
role-librarian = Librarian
role-policy_officer = Policy officer
role-administrator = Administrator

# Audit
audit-title = Audit log
audit-help = Every change, and every reading of personal records, newest first. Entries cannot be changed or deleted.

# Errors
error-title = Error
error-title-400 = The request could not be read
error-title-401 = Please log in
error-title-403 = Not allowed
error-title-404 = Not found
error-title-409 = Conflict
error-title-410 = Link no longer valid
error-title-413 = Too large
error-title-422 = Please check your input
error-title-429 = Too many attempts
error-title-500 = Something went wrong
error-title-503 = Temporarily unavailable
error-back-home = Back to the start page
error-unauthenticated = Please log in first.
error-invalid_credentials = The email address or password is wrong.
error-account_inactive = This account is deactivated. Ask your administrator.
error-rate_limited = Too many failed attempts. Please wait a few minutes and try again.
error-forbidden = You are not allowed to do this.
error-csrf_failed = This form has expired. Go back, reload the page and try again.
error-link_invalid = This link is invalid, used or expired. Ask for a new one.
error-not_found = There is nothing at this address, or you may not see it.
error-conflict_stale = Someone else changed this record meanwhile. Reload it and make your change again.
error-invalid_body = The request could not be read. Check the data you sent.
error-invalid_query = A search parameter has the wrong format.
error-payload_too_large = What you sent is too large.
error-validation_failed = Several fields are invalid.
error-value_required = This field is required.
error-value_too_long = This is too long.
error-value_out_of_range = This value is out of range.
error-invalid_characters = This contains characters that are not allowed.
error-invalid_email = This is not a valid email address.
error-invalid_locale = Choose one of the offered languages.
error-invalid_time_zone = This is not a known time zone (e.g. Asia/Seoul).
error-invalid_country = Use a two-letter country code (e.g. JP).
error-invalid_language = Use a language code such as ko, en, ja, zh-Hans.
error-invalid_role = This is not a known role.
error-invalid_choice = Choose one of the offered options.
error-unknown_organization = There is no organisation with this code.
error-invalid_parent = An organisation cannot be part of itself.
error-email_taken = Another account already uses this email address.
error-code_taken = Another organisation already uses this code.
error-password_too_short = The password must have at least 10 characters.
error-password_too_common = This password is too easy to guess.
error-password_mismatch = The two passwords differ.
error-wrong_password = The current password is wrong.
error-cannot_deactivate_self = You cannot deactivate your own account.
error-last_administrator = This is the last active administrator; appoint another one first.
error-internal = Something went wrong on our side. It has been logged; please try again.
error-unavailable = The service is temporarily unavailable. Please try again shortly.
