"""The HTTP shell shared by every domain: dependencies, CSRF, templating, error rendering."""
