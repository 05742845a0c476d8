"""The handout renderer: editions of PDFs made from the built site (see mkdocs.yml, extra.handouts)."""
