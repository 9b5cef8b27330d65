"""Sending editions.

- editions: start sending (render once, freeze the audience), schedule, pause, resume,
  cancel, retry failures, a test copy
- claims:   claiming deliveries with a lease, and the sweeper that returns expired ones
- chunks:   sending one claimed chunk on one SMTP connection (the chunk task's service)
- failures: retry delays, hard bounces, pausing after errors (digests share them)
"""
