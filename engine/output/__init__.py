"""What leaves the tool: reports rendered from the Jinja2 templates in reports/."""
