"""Volunteers and the time bank (志愿者注册 + 时间银行): registration, teams, activities, orders, the hours ledger."""
