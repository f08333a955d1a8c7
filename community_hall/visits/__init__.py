"""Home visits (上门服务): tickets that need a visit, planned by day and building, recorded by the visitor."""
