"""`--match`: the topic filter of `extractor.topic`, which the cluster pre-filter shares."""

from extractor.topic import matches_topic, topic_hits

__all__ = ["matches_topic", "topic_hits"]
