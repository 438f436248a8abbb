# 服務台擴充：常用回覆、關聯請求、提及、Open311。
error-link_exists = 這些請求已經關聯。

## Open311 GeoReport v2
open311-service-interpretation_translation = 口譯與筆譯
open311-service-interpretation_translation-description = 為文件、會議和訪問提供筆譯和口譯人員。
open311-service-international_exchange = 國際交流
open311-service-international_exchange-description = 尋找海外友好城市或與其合作。
open311-service-overseas_visit = 出訪
open311-service-overseas_visit-description = 籌備代表團出訪：會見、地點、行程。
open311-service-information_request = 資訊查詢
open311-service-information_request-description = 關於外國地方政府及其政策的資訊。
open311-service-general_inquiry = 一般諮詢
open311-service-general_inquiry-description = 向服務台提出的其他問題。
open311-hint-list = 多個值以逗號分隔。
open311-hint-json = 物件的 JSON 陣列。
open311-hint-date = 日期（YYYY-MM-DD）或日期時間（ISO 8601）。
open311-error-api-key = 需要有效的 api_key（Glocal API 權杖）。
open311-error-service-code = 未知的 service_code。
open311-error-format = 請使用 .json 或 .xml。
open311-error-date = start_date 和 end_date 必須是 ISO 8601 日期時間。
open311-notice = 已收到。服務台將登記您的請求，並以您選擇的語言答覆。
open311-state-submitted = 已收到，等待登記。
open311-state-registered = 已登記。
open311-state-department_assigned = 由主管部門處理中。
open311-state-staff_assigned = 由負責人處理中。
open311-state-interim_responded = 已發送期中答覆，處理持續進行。
open311-state-answered = 已答覆，等待您的確認。
open311-state-closed = 已結案。
open311-state-on_hold = 暫停：服務台正在等待您的回覆。
open311-state-withdrawn = 已撤回。
