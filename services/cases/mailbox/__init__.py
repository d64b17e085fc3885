"""The support mailbox: customers mail the support address and answer case mails by mail.

`receiver` is the SMTP server (aiosmtpd): it checks and stores each mail durably, keyed by
Message-ID, before it answers 250. `processor` then applies every stored mail once: `parsing`
and `cleaning` read it, `loops` decides whether it must be left alone (bounces, lists,
auto-replies, our own mail), `customers` finds the sender and their covered licenses in the
service's projections, `case_threading` finds the case a mail answers, `casework` opens the case
or adds the message through the cases service's own use cases, `attachments` puts files in the
object store, and `auto_replies` asks the notifier to answer mail that cannot become a case.
`__main__` runs it all as one process.
"""
