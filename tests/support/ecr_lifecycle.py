"""ECR lifecycle policies as ECR evaluates them: a pure evaluator, with no
moto in it, that the emulator's lifecycle policy preview uses
(ecr_lifecycle_preview.py) and test_ecr_lifecycle.py tests with the examples
of AWS's lifecycle documentation.

`parse(text)` reads a lifecycle policy's JSON and checks it against the rules
the user guide states, raising PolicyError (the member and what is allowed);
`evaluate(text, images, now)` says, per image digest, what the policy would
do to it: expire it, or transition it to the archive storage class, and the
priority of the rule that would.

Sources: the ECR user guide's "Automate the cleanup of images by using
lifecycle policies" (its "Lifecycle policy evaluation rules"), "Lifecycle
policy properties" and "Examples of lifecycle policies" (the versions with the
archive storage class, 2025-26). What the evaluator does, by the guide:

- Every rule looks at every image at once; the rules are then applied from
  the lowest rulePriority to the highest. An image is acted on by one rule
  at most.
- A rule selects the images of its storage class (`standard`, the default,
  or `archive`) whose tags fit: `any` every image, `untagged` images without
  tags, `tagged` images for which every entry of tagPatternList (a tag
  pattern, `*` any run of characters) or of tagPrefixList (a prefix) matches
  at least one of the image's tags.
- An image that a rule of higher priority selects by its tags (whether or not
  that rule acts on it) is never acted on by a rule of lower priority; it
  still counts for the lower rule's imageCountMoreThan, which "identifies" it.
- imageCountMoreThan N: the rule's images from the newest to the oldest by
  push time (for an image restored from the archive, the time it was
  restored), every one past the first N. sinceImagePushed N: pushed more than
  N days ago. sinceImagePulled N (transition only): last pulled more than N
  days ago; never pulled: pushed; restored and not pulled since: restored.
  sinceImageTransitioned N (archived images, expire only, N >= 90): archived
  more than N days ago.
- An image an image index (manifest list) refers to is neither expired nor
  archived unless the index is expired or archived too (or already is).

Not public, chosen here: ties in push time are ordered by digest; an image
being restored (ACTIVATING) is of neither storage class, so no rule acts on
it; a rule with tagStatus `any` must have the highest priority among the
rules of its storage class (the guide's archive example has an `any` rule of
each class); "a unique set of prefixes" is read as: no two tagged rules of a
storage class with the same set of prefixes.
"""
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

TAG_STATUSES = ("tagged", "untagged", "any")
COUNT_TYPES = ("imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned")
STORAGE_CLASSES = ("standard", "archive")
ACTION_TYPES = ("expire", "transition")
MAX_WILDCARDS = 4
MIN_DAYS_IN_ARCHIVE = 90


class PolicyError(ValueError):
    """A policy ECR refuses: `member` is the path of what is wrong."""

    def __init__(self, member, reason):
        super().__init__(f"{member}: {reason}")
        self.member = member
        self.reason = reason


@dataclass(frozen=True)
class Rule:
    priority: int
    tag_status: str
    patterns: tuple  # compiled regexes of tagPatternList, or of tagPrefixList as prefixes
    prefixes: tuple  # tagPrefixList as given (for the uniqueness rule)
    storage_class: str
    count_type: str
    count_number: int
    action: str
    target: str | None

    def selects(self, image):
        """Whether this rule's storage class and tags take in the image."""
        if image.storage_class != self.storage_class:
            return False
        if self.tag_status == "any":
            return True
        if self.tag_status == "untagged":
            return not image.tags
        return bool(image.tags) and all(any(p.fullmatch(t) for t in image.tags) for p in self.patterns)


@dataclass(frozen=True)
class Image:
    digest: str
    tags: tuple
    pushed_at: datetime
    # "standard", "archive", or None while the image is being restored.
    storage_class: str | None = "standard"
    last_pulled_at: datetime | None = None
    last_archived_at: datetime | None = None
    last_activated_at: datetime | None = None
    # Digests of the image indexes that name this image.
    referenced_by: tuple = field(default=())


@dataclass(frozen=True)
class Outcome:
    action: str  # "expire" or "transition"
    priority: int
    target: str | None = None  # "archive" for a transition


def _wildcard(pattern):
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))


def _strings(value, member):
    if not isinstance(value, list) or not value:
        raise PolicyError(member, "must be a non-empty list of strings")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise PolicyError(f"{member}[{i}]", "must be a non-empty string")
    return value


def _integer(value, member, minimum):
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise PolicyError(member, f"must be an integer of at least {minimum}")
    return value


def _only(obj, allowed, member):
    if not isinstance(obj, dict):
        raise PolicyError(member, "must be an object")
    for key in obj:
        if key not in allowed:
            raise PolicyError(f"{member}.{key}", f"is not a property ECR knows (allowed: {', '.join(allowed)})")


def _rule(raw, i):
    at = f"rules[{i}]"
    _only(raw, ("rulePriority", "description", "selection", "action"), at)
    priority = _integer(raw.get("rulePriority"), f"{at}.rulePriority", 1)
    if "description" in raw and not isinstance(raw["description"], str):
        raise PolicyError(f"{at}.description", "must be a string")
    selection = raw.get("selection")
    _only(selection, ("tagStatus", "tagPatternList", "tagPrefixList", "storageClass", "countType", "countUnit",
                      "countNumber"), f"{at}.selection")
    sel = f"{at}.selection"
    tag_status = selection.get("tagStatus")
    if tag_status not in TAG_STATUSES:
        raise PolicyError(f"{sel}.tagStatus", f"must be one of {', '.join(TAG_STATUSES)}")
    has_patterns, has_prefixes = "tagPatternList" in selection, "tagPrefixList" in selection
    patterns, prefixes = (), ()
    if tag_status == "tagged":
        if has_patterns == has_prefixes:
            raise PolicyError(sel, "a tagged rule takes exactly one of tagPatternList and tagPrefixList")
        if has_patterns:
            listed = _strings(selection["tagPatternList"], f"{sel}.tagPatternList")
            for j, pattern in enumerate(listed):
                if pattern.count("*") > MAX_WILDCARDS:
                    raise PolicyError(f"{sel}.tagPatternList[{j}]", f"at most {MAX_WILDCARDS} wildcards (*)")
            patterns = tuple(_wildcard(p) for p in listed)
        else:
            prefixes = tuple(_strings(selection["tagPrefixList"], f"{sel}.tagPrefixList"))
            patterns = tuple(re.compile(re.escape(p) + ".*") for p in prefixes)
    elif has_patterns or has_prefixes:
        raise PolicyError(sel, f"tagPatternList and tagPrefixList are only for tagStatus tagged, not {tag_status}")
    storage_class = selection.get("storageClass", "standard")
    if storage_class not in STORAGE_CLASSES:
        raise PolicyError(f"{sel}.storageClass", f"must be one of {', '.join(STORAGE_CLASSES)}")
    count_type = selection.get("countType")
    if count_type not in COUNT_TYPES:
        raise PolicyError(f"{sel}.countType", f"must be one of {', '.join(COUNT_TYPES)}")
    if count_type == "imageCountMoreThan":
        if "countUnit" in selection:
            raise PolicyError(f"{sel}.countUnit", "is only for the since... count types")
    elif selection.get("countUnit") != "days":
        raise PolicyError(f"{sel}.countUnit", f"must be days with {count_type}")
    count_number = _integer(selection.get("countNumber"), f"{sel}.countNumber", 1)
    if (storage_class == "archive") != (count_type == "sinceImageTransitioned"):
        raise PolicyError(f"{sel}.storageClass", "archive goes with sinceImageTransitioned, and only with it")
    action = raw.get("action")
    _only(action, ("type", "targetStorageClass"), f"{at}.action")
    kind = action.get("type")
    if kind not in ACTION_TYPES:
        raise PolicyError(f"{at}.action.type", f"must be one of {', '.join(ACTION_TYPES)}")
    target = action.get("targetStorageClass")
    if kind == "transition" and target != "archive":
        raise PolicyError(f"{at}.action.targetStorageClass", "must be archive for a transition")
    if kind == "expire" and target is not None:
        raise PolicyError(f"{at}.action.targetStorageClass", "is only for a transition")
    if count_type == "sinceImagePulled" and kind != "transition":
        raise PolicyError(f"{at}.action.type", "sinceImagePulled goes with transition only")
    if count_type == "sinceImageTransitioned":
        if kind != "expire":
            raise PolicyError(f"{at}.action.type", "sinceImageTransitioned goes with expire only")
        if count_number < MIN_DAYS_IN_ARCHIVE:
            raise PolicyError(f"{sel}.countNumber",
                              f"archived images stay at least {MIN_DAYS_IN_ARCHIVE} days: must be {MIN_DAYS_IN_ARCHIVE} or more")
    return Rule(priority, tag_status, patterns, prefixes, storage_class, count_type, count_number, kind, target)


def parse(text):
    """The policy's rules, lowest priority number first; PolicyError if ECR would refuse it."""
    try:
        policy = json.loads(text)
    except ValueError:
        raise PolicyError("lifecyclePolicyText", "is not JSON") from None
    _only(policy, ("rules",), "lifecyclePolicyText")
    raw_rules = policy.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise PolicyError("rules", "must be a non-empty list")
    rules = [_rule(raw, i) for i, raw in enumerate(raw_rules)]
    seen = {}
    for i, rule in enumerate(rules):
        if rule.priority in seen:
            raise PolicyError(f"rules[{i}].rulePriority", f"{rule.priority} is already the priority of rules[{seen[rule.priority]}]")
        seen[rule.priority] = i
    rules.sort(key=lambda r: r.priority)
    for storage_class in STORAGE_CLASSES:
        mine = [r for r in rules if r.storage_class == storage_class]
        for r in mine[:-1]:
            if r.tag_status == "any":
                raise PolicyError(f"rulePriority {r.priority}",
                                  "a rule with tagStatus any must have the highest priority number of its storage class")
        if sum(r.tag_status == "untagged" for r in mine) > 1:
            raise PolicyError("rules", f"only one rule of the {storage_class} storage class may select untagged images")
        prefix_sets = [frozenset(r.prefixes) for r in mine if r.prefixes]
        if len(prefix_sets) != len(set(prefix_sets)):
            raise PolicyError("rules", f"two rules of the {storage_class} storage class have the same tagPrefixList")
    return rules


def _older_than(moment, days, now):
    return moment is not None and now - moment > timedelta(days=days)


def _last_use(image):
    """What sinceImagePulled measures from."""
    pulled, restored = image.last_pulled_at, image.last_activated_at
    if restored is not None and (pulled is None or pulled < restored):
        return restored
    return pulled if pulled is not None else image.pushed_at


def _counted(rule, images, now):
    """The images (of those the rule selects) that its count takes."""
    if rule.count_type == "imageCountMoreThan":
        newest_first = sorted(images, key=lambda i: (-(i.last_activated_at or i.pushed_at).timestamp(), i.digest))
        return newest_first[rule.count_number:]
    moment = {
        "sinceImagePushed": lambda i: i.pushed_at,
        "sinceImagePulled": _last_use,
        "sinceImageTransitioned": lambda i: i.last_archived_at,
    }[rule.count_type]
    return [i for i in images if _older_than(moment(i), rule.count_number, now)]


def evaluate(policy, images, now):
    """{digest: Outcome} for every image the policy (text or parsed rules) would act on."""
    rules = parse(policy) if isinstance(policy, str) else policy
    outcomes = {}
    for n, rule in enumerate(rules):
        earlier = rules[:n]
        selected = [i for i in images if rule.selects(i)]
        for image in _counted(rule, selected, now):
            if image.digest in outcomes or any(r.selects(image) for r in earlier):
                continue
            outcomes[image.digest] = Outcome(rule.action, rule.priority, rule.target)
    return _kept_for_their_indexes(outcomes, images)


def _kept_for_their_indexes(outcomes, images):
    """Drops the actions on images an index that stays refers to, until none is left."""
    by_digest = {i.digest: i for i in images}
    changed = True
    while changed:
        changed = False
        for digest in list(outcomes):
            for index in by_digest[digest].referenced_by:
                if index not in by_digest:
                    continue
                # Deleted or archived "first": acted on too, or already archived.
                if index not in outcomes and by_digest[index].storage_class != "archive":
                    del outcomes[digest]
                    changed = True
                    break
    return outcomes
