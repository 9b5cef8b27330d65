"""The site's times in the 24-hour clock, as every page and email writes them ("23:25").

Django's en-GB formats write times as "11:25 p.m." (and "midnight"), so without these
the admin's lists and read-only fields used the other clock. Only the formats named
here change; the rest come from Django's en-GB module.
https://docs.djangoproject.com/en/5.2/topics/i18n/formatting/#creating-custom-format-files
"""

TIME_FORMAT = "H:i"  # '14:30'
DATETIME_FORMAT = "j M Y, H:i"  # '25 Oct 2006, 14:30'
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # '25/10/2006 14:30'
