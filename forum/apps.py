from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = "Members' forum"

    def ready(self) -> None:
        from members.person_pages import person_admin_list_register

        person_admin_list_register(
            "Forum posts", "admin:forum_post_changelist", author__id__exact="pk"
        )
        person_admin_list_register(
            "Reports they made", "admin:forum_report_changelist", reporter__id__exact="pk"
        )
        person_admin_list_register(
            "Forum suspensions", "admin:forum_suspension_changelist", member__id__exact="pk"
        )
