"""Open311 GeoReport v2: the machine API through which other systems read the menu and submit requests."""
