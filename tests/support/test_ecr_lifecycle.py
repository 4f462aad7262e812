"""Unit tests of ecr_lifecycle.py: the examples of AWS's "Examples of
lifecycle policies in Amazon ECR" (each repository and policy restated here,
with the outcome the guide gives), then the evaluation rules of "Automate the
cleanup of images by using lifecycle policies" one by one, and the policies
ECR refuses. Run by tests/emulator.rs (`python -m unittest discover -s
tests/support -p 'test_*.py'`)."""
import json
import unittest
from datetime import datetime, timedelta, timezone

from ecr_lifecycle import Image, Outcome, PolicyError, evaluate, parse

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


def ago(days, hours=0):
    return NOW - timedelta(days=days, hours=hours)


def rule(priority, tag_status, count_type, number, action="expire", **extra):
    selection = {"tagStatus": tag_status, "countType": count_type, "countNumber": number}
    if count_type != "imageCountMoreThan":
        selection["countUnit"] = "days"
    for key in ("tagPatternList", "tagPrefixList", "storageClass"):
        if key in extra:
            selection[key] = extra[key]
    act = {"type": action}
    if action == "transition":
        act["targetStorageClass"] = "archive"
    return {"rulePriority": priority, "description": f"rule {priority}", "selection": selection, "action": act}


def policy(*rules):
    return json.dumps({"rules": list(rules)})


def image(name, tags, pushed, **extra):
    return Image(digest=f"sha256:{name}", tags=tuple(tags), pushed_at=pushed, **extra)


def acted(outcomes):
    """{image name: (action, priority)} of an evaluation."""
    return {d.removeprefix("sha256:"): (o.action, o.priority) for d, o in outcomes.items()}


class GuideExamples(unittest.TestCase):
    """The guide's examples, in its order."""

    def test_filtering_on_image_age(self):
        # prod* images pushed more than 14 days ago expire.
        images = [image("old-prod", ["prod-1"], ago(20)), image("new-prod", ["prod-2"], ago(10)),
                  image("old-dev", ["dev-1"], ago(30)), image("untagged", [], ago(30))]
        text = policy(rule(1, "tagged", "sinceImagePushed", 14, tagPatternList=["prod*"]))
        self.assertEqual(acted(evaluate(text, images, NOW)), {"old-prod": ("expire", 1)})

    def test_filtering_on_last_pulled_time(self):
        # Images not pulled in 90 days go to the archive; never pulled: the
        # push time counts; restored and not pulled since: the restore.
        images = [
            image("pulled-long-ago", ["a"], ago(400), last_pulled_at=ago(100)),
            image("pulled-lately", ["b"], ago(400), last_pulled_at=ago(10)),
            image("never-pulled-old", [], ago(95)),
            image("never-pulled-new", [], ago(80)),
            image("restored-lately", ["c"], ago(400), last_pulled_at=ago(300), last_activated_at=ago(5)),
            image("pulled-after-restore", ["d"], ago(400), last_activated_at=ago(200), last_pulled_at=ago(91)),
        ]
        text = policy(rule(1, "any", "sinceImagePulled", 90, action="transition"))
        self.assertEqual(acted(evaluate(text, images, NOW)), {
            "pulled-long-ago": ("transition", 1),
            "never-pulled-old": ("transition", 1),
            "pulled-after-restore": ("transition", 1),
        })
        self.assertEqual(evaluate(text, images, NOW)["sha256:never-pulled-old"].target, "archive")

    def test_filtering_on_archive_transition_time(self):
        images = [
            image("archived-long-ago", ["a"], ago(800), storage_class="archive", last_archived_at=ago(400)),
            image("archived-lately", ["b"], ago(800), storage_class="archive", last_archived_at=ago(100)),
            image("standard-old", ["c"], ago(800)),
        ]
        text = policy(rule(1, "any", "sinceImageTransitioned", 365, storageClass="archive"))
        self.assertEqual(acted(evaluate(text, images, NOW)), {"archived-long-ago": ("expire", 1)})

    def test_filtering_on_image_count(self):
        # One untagged image is kept, the older ones expire; tagged images are not the rule's.
        images = [image("u1", [], ago(3)), image("u2", [], ago(2)), image("u3", [], ago(1)),
                  image("t1", ["v1"], ago(9))]
        text = policy(rule(1, "untagged", "imageCountMoreThan", 1))
        self.assertEqual(acted(evaluate(text, images, NOW)), {"u1": ("expire", 1), "u2": ("expire", 1)})

    def multiple_rules_repository(self):
        return [image("A", ["beta-1", "prod-1"], ago(10)), image("B", ["beta-2", "prod-2"], ago(9)),
                image("C", ["beta-3"], ago(8))]

    def test_multiple_rules_example_a(self):
        # prod* first: it marks A; beta* would mark A and B, but B is prod*'s.
        text = policy(rule(1, "tagged", "imageCountMoreThan", 1, tagPatternList=["prod*"]),
                      rule(2, "tagged", "imageCountMoreThan", 1, tagPatternList=["beta*"]))
        self.assertEqual(acted(evaluate(text, self.multiple_rules_repository(), NOW)), {"A": ("expire", 1)})

    def test_multiple_rules_example_b(self):
        # beta* first: it marks A and B; prod* sees only images beta* has.
        text = policy(rule(1, "tagged", "imageCountMoreThan", 1, tagPatternList=["beta*"]),
                      rule(2, "tagged", "imageCountMoreThan", 1, tagPatternList=["prod*"]))
        self.assertEqual(acted(evaluate(text, self.multiple_rules_repository(), NOW)),
                         {"A": ("expire", 1), "B": ("expire", 1)})

    def test_multiple_tags_in_one_rule_example_a(self):
        # Both patterns must match: C and F are the rule's; C is older than five days.
        images = [image("A", ["alpha-1"], ago(12)), image("B", ["beta-1"], ago(11)),
                  image("C", ["alpha-2", "beta-2"], ago(10)), image("D", ["alpha-3"], ago(4)),
                  image("E", ["beta-3"], ago(3)), image("F", ["alpha-4", "beta-4"], ago(2))]
        text = policy(rule(1, "tagged", "sinceImagePushed", 5, tagPatternList=["alpha*", "beta*"]))
        self.assertEqual(acted(evaluate(text, images, NOW)), {"C": ("expire", 1)})

    def test_multiple_tags_in_one_rule_example_b(self):
        # Tags are not exclusive: an extra gamma tag does not keep an image out.
        images = [image("A", ["alpha-1", "beta-1", "gamma-1"], ago(10)), image("B", ["alpha-2", "beta-2"], ago(9)),
                  image("C", ["alpha-3", "beta-3", "gamma-2"], ago(8))]
        text = policy(rule(1, "tagged", "imageCountMoreThan", 1, tagPatternList=["alpha*", "beta*"]))
        self.assertEqual(acted(evaluate(text, images, NOW)), {"A": ("expire", 1), "B": ("expire", 1)})

    def test_all_images_example_a(self):
        images = [image("A", ["alpha-1"], ago(4)), image("B", ["beta-1"], ago(3)), image("C", [], ago(2)),
                  image("D", ["alpha-2"], ago(1))]
        text = policy(rule(1, "any", "imageCountMoreThan", 1))
        self.assertEqual(acted(evaluate(text, images, NOW)),
                         {"A": ("expire", 1), "B": ("expire", 1), "C": ("expire", 1)})

    def test_all_images_example_b(self):
        # The guide pushes D and E "1 day ago", E listed after D: here D a little
        # over a day ago, E a little under, so E is the newest and not older than a day.
        images = [image("A", ["alpha-1", "beta-1"], ago(4)), image("B", [], ago(3)), image("C", ["alpha-2"], ago(2)),
                  image("D", ["git hash"], ago(1, 1)), image("E", [], ago(0, 23))]
        text = policy(rule(1, "tagged", "imageCountMoreThan", 1, tagPatternList=["alpha*"]),
                      rule(2, "untagged", "sinceImagePushed", 1),
                      rule(3, "any", "imageCountMoreThan", 1))
        self.assertEqual(acted(evaluate(text, images, NOW)),
                         {"A": ("expire", 1), "B": ("expire", 2), "D": ("expire", 3)})

    def test_archiving_images_older_than_30_days(self):
        images = [image("prod-old", ["prod-1"], ago(31)), image("prod-new", ["prod-2"], ago(29)),
                  image("dev-old", ["dev"], ago(31))]
        text = policy(rule(1, "tagged", "sinceImagePushed", 30, action="transition", tagPatternList=["prod*"]))
        self.assertEqual(acted(evaluate(text, images, NOW)), {"prod-old": ("transition", 1)})

    def test_combining_archive_and_expire_rules(self):
        # An `any` rule per storage class: standard images older than 30 days
        # go to the archive, images archived more than 365 days ago expire.
        images = [
            image("fresh", ["a"], ago(10)),
            image("month-old", ["b"], ago(40)),
            image("archived-lately", ["c"], ago(500), storage_class="archive", last_archived_at=ago(200)),
            image("archived-long-ago", [], ago(900), storage_class="archive", last_archived_at=ago(366)),
        ]
        text = policy(rule(1, "any", "sinceImagePushed", 30, action="transition"),
                      rule(2, "any", "sinceImageTransitioned", 365, storageClass="archive"))
        self.assertEqual(acted(evaluate(text, images, NOW)),
                         {"month-old": ("transition", 1), "archived-long-ago": ("expire", 2)})


class EvaluationRules(unittest.TestCase):
    """The guide's evaluation rules, one by one."""

    def test_every_prefix_must_start_some_tag(self):
        images = [image("both", ["v1", "release-1"], ago(9)), image("only-v", ["v2"], ago(9)),
                  image("inside", ["xv-release"], ago(9))]
        text = policy(rule(1, "tagged", "sinceImagePushed", 1, tagPrefixList=["v", "release"]))
        self.assertEqual(acted(evaluate(text, images, NOW)), {"both": ("expire", 1)})

    def test_a_pattern_matches_the_whole_tag(self):
        images = [image("prod", ["prod"], ago(9)), image("production", ["production-team1"], ago(9)),
                  image("inner", ["repo-production"], ago(9)), image("other", ["staging"], ago(9))]
        exact = policy(rule(1, "tagged", "sinceImagePushed", 1, tagPatternList=["prod"]))
        self.assertEqual(acted(evaluate(exact, images, NOW)), {"prod": ("expire", 1)})
        inner = policy(rule(1, "tagged", "sinceImagePushed", 1, tagPatternList=["*prod*"]))
        self.assertEqual(set(acted(evaluate(inner, images, NOW))), {"prod", "production", "inner"})

    def test_days_count_strictly_more_than_the_number(self):
        images = [image("just-under", ["a"], ago(6, 23)), image("just-over", ["b"], ago(7, 1))]
        text = policy(rule(1, "any", "sinceImagePushed", 7))
        self.assertEqual(acted(evaluate(text, images, NOW)), {"just-over": ("expire", 1)})

    def test_a_rules_images_are_safe_from_later_rules_even_when_it_keeps_them(self):
        # keep-all release rule first: the `any` rule cannot touch release images.
        images = [image(f"r{i}", [f"release-{i}"], ago(100 + i)) for i in range(3)] + [
            image("scratch", ["tmp"], ago(100))]
        text = policy(rule(1, "tagged", "imageCountMoreThan", 9999, tagPrefixList=["release"]),
                      rule(2, "any", "sinceImagePushed", 30))
        self.assertEqual(acted(evaluate(text, images, NOW)), {"scratch": ("expire", 2)})

    def test_a_rule_that_takes_every_image(self):
        images = [image(f"i{i}", [f"t{i}"] if i % 2 else [], ago(10 + i)) for i in range(5)]
        text = policy(rule(1, "any", "sinceImagePushed", 1))
        self.assertEqual(len(evaluate(text, images, NOW)), 5)

    def test_count_orders_a_restored_image_by_its_restore(self):
        images = [image("old-restored", ["a"], ago(100), last_activated_at=ago(1)),
                  image("middle", ["b"], ago(50)), image("recent", ["c"], ago(10))]
        text = policy(rule(1, "any", "imageCountMoreThan", 2))
        self.assertEqual(acted(evaluate(text, images, NOW)), {"middle": ("expire", 1)})

    def test_an_image_being_restored_is_of_neither_storage_class(self):
        images = [image("activating", ["a"], ago(500), storage_class=None, last_archived_at=ago(400))]
        text = policy(rule(1, "any", "sinceImagePushed", 1, action="transition"),
                      rule(2, "any", "sinceImageTransitioned", 90, storageClass="archive"))
        self.assertEqual(evaluate(text, images, NOW), {})

    def test_an_image_of_an_index_that_stays_is_kept(self):
        index = image("index", ["v1"], ago(1))
        child = image("child", [], ago(40), referenced_by=("sha256:index",))
        loose = image("loose", [], ago(40))
        text = policy(rule(1, "untagged", "sinceImagePushed", 30))
        self.assertEqual(acted(evaluate(text, [index, child, loose], NOW)), {"loose": ("expire", 1)})
        # The index expiring too frees its image.
        both = policy(rule(1, "any", "sinceImagePushed", 0 + 1))
        old_index = image("index", ["v1"], ago(40))
        self.assertEqual(set(acted(evaluate(both, [old_index, child, loose], NOW))), {"index", "child", "loose"})

    def test_rules_apply_in_priority_order_not_list_order(self):
        images = [image("A", ["beta-1", "prod-1"], ago(10)), image("B", ["beta-2", "prod-2"], ago(9)),
                  image("C", ["beta-3"], ago(8))]
        text = policy(rule(2, "tagged", "imageCountMoreThan", 1, tagPatternList=["beta*"]),
                      rule(1, "tagged", "imageCountMoreThan", 1, tagPatternList=["prod*"]))
        self.assertEqual(evaluate(text, images, NOW), {"sha256:A": Outcome("expire", 1)})


class Refusals(unittest.TestCase):
    """Policies ECR refuses, each naming the member."""

    def refused(self, text, member):
        with self.assertRaises(PolicyError) as caught:
            parse(text)
        self.assertIn(member, caught.exception.member)

    def test_refusals(self):
        self.refused("not json", "lifecyclePolicyText")
        self.refused(json.dumps({"rules": []}), "rules")
        self.refused(policy(rule(1, "any", "sinceImagePulled", 90)), "action.type")
        self.refused(policy(rule(1, "any", "sinceImageTransitioned", 365)), "storageClass")
        self.refused(policy(rule(1, "any", "sinceImageTransitioned", 30, storageClass="archive")), "countNumber")
        self.refused(policy(rule(1, "any", "sinceImagePushed", 3, storageClass="archive")), "storageClass")
        self.refused(policy(rule(1, "any", "sinceImagePushed", 0)), "countNumber")
        self.refused(policy(rule(1, "tagged", "sinceImagePushed", 3)), "selection")
        self.refused(policy(rule(1, "tagged", "sinceImagePushed", 3, tagPatternList=["a"], tagPrefixList=["a"])),
                     "selection")
        self.refused(policy(rule(1, "untagged", "sinceImagePushed", 3, tagPrefixList=["a"])), "selection")
        self.refused(policy(rule(1, "tagged", "sinceImagePushed", 3, tagPatternList=["t*1*2*3*4*5"])),
                     "tagPatternList[0]")
        self.refused(policy(rule(1, "any", "sinceImagePushed", 3), rule(2, "untagged", "sinceImagePushed", 3)),
                     "rulePriority 1")
        self.refused(policy(rule(1, "untagged", "sinceImagePushed", 3), rule(2, "untagged", "imageCountMoreThan", 3)),
                     "rules")
        self.refused(policy(rule(1, "tagged", "sinceImagePushed", 3, tagPrefixList=["a", "b"]),
                            rule(2, "tagged", "imageCountMoreThan", 3, tagPrefixList=["b", "a"])), "rules")
        self.refused(policy(rule(1, "untagged", "sinceImagePushed", 3), rule(1, "any", "sinceImagePushed", 9)),
                     "rules[1].rulePriority")
        count_with_unit = rule(1, "any", "imageCountMoreThan", 3)
        count_with_unit["selection"]["countUnit"] = "days"
        self.refused(policy(count_with_unit), "countUnit")
        expire_with_target = rule(1, "any", "sinceImagePushed", 3)
        expire_with_target["action"]["targetStorageClass"] = "archive"
        self.refused(policy(expire_with_target), "targetStorageClass")

    def test_what_the_guide_allows_is_taken(self):
        # Pattern and prefix rules side by side, up to four wildcards, an
        # `any` rule per storage class.
        rules = parse(policy(rule(3, "any", "sinceImagePushed", 30, action="transition"),
                             rule(1, "tagged", "imageCountMoreThan", 5, tagPatternList=["*test*1*2*3"]),
                             rule(2, "tagged", "imageCountMoreThan", 5, tagPrefixList=["v"]),
                             rule(4, "any", "sinceImageTransitioned", 90, storageClass="archive")))
        self.assertEqual([r.priority for r in rules], [1, 2, 3, 4])


if __name__ == "__main__":
    unittest.main()
