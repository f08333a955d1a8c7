"""Public disclosure of service results (居务公开): figures computed by the database, charts, the public page."""
