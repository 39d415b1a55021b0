"""REST commands of a session, one module per part of the facilitation."""
