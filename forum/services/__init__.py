"""Forum business operations, by concept: posting, attachments, publishing, audit,
reading, reactions and reports. Import the module you need (`from forum.services import
posting`); there is one path to each function."""
