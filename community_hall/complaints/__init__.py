"""Complaints (投诉) and reports of matters nobody would handle (办不成事反映), handled by the station head."""
