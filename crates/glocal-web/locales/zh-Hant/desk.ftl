# 線上服務處
error-transition_not_allowed = 在申請的目前步驟無法進行此操作。
error-reopen_window_passed = 已超過可重新開啟此申請的期限。
error-attachment_type = 不接受此類檔案，或檔案內容與名稱不符。
error-attachment_too_large = 檔案過大。
error-not_ratable = 收到答覆後才能評價。
error-unknown_department = 請選擇協議會的部門或海外事務所。
error-unknown_staff = 請選擇在職的服務人員。
error-unknown_field = 表單中沒有此項。
error-invalid_calendar = 無法讀取行事曆檔案。
