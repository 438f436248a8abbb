# 服务台扩展：常用回复、关联请求、提及、Open311。
error-link_exists = 这些请求已经关联。
