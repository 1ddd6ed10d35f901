"""`rtms-doctor serve`: the diagnosis as a local web page for support staff.

app.py holds the routes, views.py turns the engine's results into page views, state.py carries
a case between requests inside the page itself (the server keeps nothing), security.py the
headers, the body limit and the token, server.py binds and runs uvicorn.
"""
