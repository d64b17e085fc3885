"""The support mailbox: customers mail the support address and answer case mails by mail.

`receiver` is the SMTP server (aiosmtpd): it checks and stores each mail durably, keyed by
Message-ID, before it answers 250. `processor` then applies every stored mail once: `parsing`
and `cleaning` read it, `loops` decides whether it must be left alone (bounces, lists,
auto-replies, our own mail), `threading` finds the case it answers, `casework` opens the case or
adds the message through the cases service's own use cases, and `auto_replies` asks the
notifier to answer mail that cannot become a case. `__main__` runs it all as one process.
"""
