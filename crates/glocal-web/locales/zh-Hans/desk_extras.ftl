# 服务台扩展：常用回复、关联请求、提及、Open311。
error-link_exists = 这些请求已经关联。

## Open311 GeoReport v2
open311-service-interpretation_translation = 口译与笔译
open311-service-interpretation_translation-description = 为文件、会议和访问提供笔译和口译人员。
open311-service-international_exchange = 国际交流
open311-service-international_exchange-description = 寻找海外友好城市或与其合作。
open311-service-overseas_visit = 出访
open311-service-overseas_visit-description = 筹备代表团出访：会见、地点、日程。
open311-service-information_request = 信息查询
open311-service-information_request-description = 关于外国地方政府及其政策的信息。
open311-service-general_inquiry = 一般咨询
open311-service-general_inquiry-description = 向服务台提出的其他问题。
open311-hint-list = 多个值以逗号分隔。
open311-hint-json = 对象的 JSON 数组。
open311-hint-date = 日期（YYYY-MM-DD）或日期时间（ISO 8601）。
open311-error-api-key = 需要有效的 api_key（Glocal API 令牌）。
open311-error-service-code = 未知的 service_code。
open311-error-format = 请使用 .json 或 .xml。
open311-error-date = start_date 和 end_date 必须是 ISO 8601 日期时间。
open311-notice = 已收到。服务台将登记您的请求，并以您选择的语言答复。
open311-state-submitted = 已收到，等待登记。
open311-state-registered = 已登记。
open311-state-department_assigned = 由主管部门处理中。
open311-state-staff_assigned = 由负责人处理中。
open311-state-interim_responded = 已发送中期答复，处理继续进行。
open311-state-answered = 已答复，等待您的确认。
open311-state-closed = 已结案。
open311-state-on_hold = 暂停：服务台正在等待您的回复。
open311-state-withdrawn = 已撤回。
