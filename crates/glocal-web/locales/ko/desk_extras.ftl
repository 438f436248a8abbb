# 데스크 부가 기능: 답변 예문, 연결된 요청, 멘션, Open311.
error-link_exists = 두 요청은 이미 연결되어 있습니다.

## Open311 GeoReport v2
open311-service-interpretation_translation = 통번역
open311-service-interpretation_translation-description = 문서, 회의, 방문을 위한 번역사와 통역사.
open311-service-international_exchange = 국제교류
open311-service-international_exchange-description = 해외 교류 도시를 찾거나 함께 일하기.
open311-service-overseas_visit = 해외 방문
open311-service-overseas_visit-description = 대표단의 해외 방문 준비: 면담, 장소, 일정.
open311-service-information_request = 정보 요청
open311-service-information_request-description = 해외 지방정부와 정책에 관한 정보.
open311-service-general_inquiry = 일반 문의
open311-service-general_inquiry-description = 데스크에 대한 그 밖의 문의.
open311-hint-list = 여러 값을 쉼표로 구분합니다.
open311-hint-json = 객체의 JSON 배열입니다.
open311-hint-date = 날짜(YYYY-MM-DD) 또는 일시(ISO 8601).
open311-error-api-key = 유효한 api_key(Glocal API 토큰)가 필요합니다.
open311-error-service-code = 알 수 없는 service_code입니다.
open311-error-format = .json 또는 .xml로 요청하십시오.
open311-error-date = start_date와 end_date는 ISO 8601 일시여야 합니다.
open311-notice = 접수되었습니다. 데스크가 요청을 등록하고 선택하신 언어로 답변합니다.
open311-state-submitted = 접수됨, 등록 대기 중.
open311-state-registered = 등록됨.
open311-state-department_assigned = 담당 부서에서 처리 중.
open311-state-staff_assigned = 담당자가 처리 중.
open311-state-interim_responded = 중간 답변을 보냈으며 처리 중입니다.
open311-state-answered = 답변 완료, 확인 대기 중.
open311-state-closed = 종결됨.
open311-state-on_hold = 보류: 데스크가 회신을 기다리고 있습니다.
open311-state-withdrawn = 철회됨.
