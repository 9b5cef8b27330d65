"""What each role gets from members' URLs, for the access matrix (members/access_matrix.py).

Split by concept; the matrix reads every module named in PARTS:
    accounts   the account and organisation pages, site-wide pages, sign-in, the admin
    billing    the membership page and paying for a membership
"""

from members.access_expectations import accounts, billing

PARTS = (accounts, billing)
