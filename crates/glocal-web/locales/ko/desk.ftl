# 온라인 민원실
error-transition_not_allowed = 요청의 현재 단계에서는 할 수 없는 작업입니다.
error-reopen_window_passed = 이 요청을 다시 열 수 있는 기간이 지났습니다.
error-attachment_type = 받을 수 없는 파일 형식이거나 내용이 파일 이름과 맞지 않습니다.
error-attachment_too_large = 파일이 너무 큽니다.
error-not_ratable = 답변을 받은 뒤에 평가할 수 있습니다.
error-unknown_department = 협의회의 부서나 해외사무소를 선택하세요.
error-unknown_staff = 활동 중인 담당 직원을 선택하세요.
error-unknown_field = 양식에 없는 항목입니다.
error-invalid_calendar = 달력 파일을 읽을 수 없습니다.
