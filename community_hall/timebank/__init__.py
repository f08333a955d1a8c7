"""Volunteers and the time bank (志愿者 + 时间银行)."""
