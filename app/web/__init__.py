"""HTTP plumbing shared by the routers: templates, htmx answers, form parsing."""
