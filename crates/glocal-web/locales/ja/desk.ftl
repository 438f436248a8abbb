# オンライン窓口
error-transition_not_allowed = 依頼の現在の段階ではこの操作はできません。
error-reopen_window_passed = この依頼を再開できる期間が過ぎました。
error-attachment_type = 受け付けられないファイル形式か、内容が名前と一致しません。
error-attachment_too_large = ファイルが大きすぎます。
error-not_ratable = 回答を受け取った後に評価できます。
error-unknown_department = 協議会の部署または海外事務所を選んでください。
error-unknown_staff = 在籍中の担当職員を選んでください。
error-unknown_field = フォームにない項目です。
error-invalid_calendar = カレンダーファイルを読み込めません。
