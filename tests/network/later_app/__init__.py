"""An app installed after ours in a test, to show that its demo content seeds last."""
