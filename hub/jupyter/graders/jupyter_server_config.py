"""Jupyter Server settings for the grader's server (the one formgrader of the course).

JupyterHub 4.1 and later send ``Content-Security-Policy: frame-ancestors 'none'`` from every
single-user server, so that no page of the hub's origin can frame another user's server.
nbgrader's Formgrader tab in JupyterLab is such a frame (an iframe of this same server's
/formgrader), so it stays blank (nbgrader issues #1870, #1947). On this server alone we let
pages of the same origin frame it. The trade-off is in docs/deploy.md ("Formgrader and
frames"); students' servers keep the hub's 'none'.
"""

c = get_config()  # noqa: F821 - provided by Jupyter when it loads this file

c.ServerApp.tornado_settings = {"headers": {"Content-Security-Policy": "frame-ancestors 'self'"}}
c.ServerApp.jpserver_extensions = {"nbgrader.server_extensions.formgrader": True}
