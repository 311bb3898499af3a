"""An update's life after its first publish: identity, terms, scheduling, corrections, retraction."""
