from members import access
from members.middleware import SecondStepRequiredMiddleware


class ModeratorTwoFactorMiddleware(SecondStepRequiredMiddleware):
    """Moderators must turn on two-factor authentication before they use the site, as
    staff must (members/middleware.py).

    Moderators read what the forum keeps from members: reports about children, posts
    hidden for naming a child, held images, suspensions. Those show on many pages (the
    queue, hidden posts inside threads, the tools on every post), so the whole site
    waits for the second step, not only the moderation pages: one rule in one place,
    rather than a check on every page that might show something.
    """

    message = (
        "You moderate the forum, so your account needs two-factor authentication before "
        "you go on. Moderators read reports about children and posts hidden from "
        "members, and a code from your phone keeps them safe if your password is ever "
        "guessed or stolen. Set up an authenticator app or a security key below: it takes "
        "a few minutes, and then the site opens as before."
    )

    def requires_second_step(self, user) -> bool:
        if user.is_staff or user.is_superuser:
            return False  # asked first, in their own words, by StaffTwoFactorMiddleware
        # Appointed to moderate (the Moderators group, or named for a room), whether
        # suspended or not: a suspension ends by itself, and the powers come back without
        # a new sign-in. Asked with the person's standing, which the page reuses.
        return access.is_appointed_moderator(user)
