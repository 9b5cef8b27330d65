"""Forum moderation, by concept: the actions on posts and images and the ending of queue
items (actions), redaction, threads, suspensions, the review queue's reading side (queue),
and the moderators' pages (views, post_views, thread_views, forms, urls), the admin and
the access expectations. Import the module you need; there is one path to each function."""
