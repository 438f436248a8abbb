# デスク追加機能：定型回答、関連付け、メンション、Open311。
error-link_exists = これらの依頼はすでに関連付けられています。

## Open311 GeoReport v2
open311-service-interpretation_translation = 通訳・翻訳
open311-service-interpretation_translation-description = 文書、会議、訪問のための翻訳者と通訳者。
open311-service-international_exchange = 国際交流
open311-service-international_exchange-description = 海外の交流都市を探す、または共に取り組む。
open311-service-overseas_visit = 海外訪問
open311-service-overseas_visit-description = 代表団の海外訪問の準備：面会、場所、日程。
open311-service-information_request = 情報提供依頼
open311-service-information_request-description = 海外の地方政府と政策に関する情報。
open311-service-general_inquiry = 一般的なお問い合わせ
open311-service-general_inquiry-description = デスクへのその他のご質問。
open311-hint-list = 複数の値をカンマで区切ります。
open311-hint-json = オブジェクトの JSON 配列。
open311-hint-date = 日付（YYYY-MM-DD）または日時（ISO 8601）。
open311-error-api-key = 有効な api_key（Glocal API トークン）が必要です。
open311-error-service-code = 不明な service_code です。
open311-error-format = .json または .xml を指定してください。
open311-error-date = start_date と end_date は ISO 8601 の日時で指定してください。
open311-notice = 受け付けました。デスクが依頼を登録し、選択された言語で回答します。
open311-state-submitted = 受付済み、登録待ち。
open311-state-registered = 登録済み。
open311-state-department_assigned = 担当部署で対応中。
open311-state-staff_assigned = 担当者が対応中。
open311-state-interim_responded = 中間回答を送付し、対応を続けています。
open311-state-answered = 回答済み、確認待ち。
open311-state-closed = 完了。
open311-state-on_hold = 保留中：デスクがご返信をお待ちしています。
open311-state-withdrawn = 取り下げ済み。
