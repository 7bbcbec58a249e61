"""Search analytics (issue 18; docs/privacy.md): the events' monthly indices, the partners' daily
rollup, retention, and the staff's reports. Used by the web app's events writer, the CLI and the
staff app; imports nothing from them."""
