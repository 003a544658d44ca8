"""The case loop: dispatch, accept, handle, verify, close — with deadlines and supervision."""
