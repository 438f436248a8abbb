# 服務台擴充：常用回覆、關聯請求、提及、Open311。
error-link_exists = 這些請求已經關聯。
