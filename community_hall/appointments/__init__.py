"""Appointments (预约办理): slots from a window's opening hours on working days, booking and kiosk check-in."""
