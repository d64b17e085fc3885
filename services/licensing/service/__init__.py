"""Use cases of the licensing service, one function per action, grouped by who acts.

`customer_*` modules serve customers (look up, preview and bind licenses and contracts, their
licenses and license files); `staff_*` modules serve the back office (issue, import, void,
restore, move, search, audit); `repository` holds the queries both sides use; `accounts` keeps
identity's facts. They flush, never commit: the transaction belongs to the caller (the request
dependency or the CLI), so a state change and the events describing it are written together or
not at all.
"""
