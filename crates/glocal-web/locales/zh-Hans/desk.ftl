# 在线服务处
error-transition_not_allowed = 在申请的当前步骤无法进行此操作。
error-reopen_window_passed = 已超过可重新打开此申请的期限。
error-attachment_type = 不接受此类文件，或文件内容与名称不符。
error-attachment_too_large = 文件过大。
error-not_ratable = 收到答复后才能评价。
error-unknown_department = 请选择协议会的部门或海外事务所。
error-unknown_staff = 请选择在职的服务人员。
error-unknown_field = 表单中没有此项。
error-invalid_calendar = 无法读取日历文件。
