"""Service menu (服务清单): each community's published catalogue of services."""
