// Invariants (checked by Validate()):
//  I1. Every non-root node has a non-empty edge and one page per page_size tokens of it,
//      pages.size() == ceil(key.size() / page_size); only a leaf's last page may be partial (a
//      finished request's tail, whose slots past its key are never read through the tree).
//  I2. A node is stored in its parent's children under the first page of its key (all of the key
//      when it is shorter than a page), and its parent pointer names that parent; no two children
//      of a node share that key.
//  I3. lock_ref(n) = locks taken directly on n + sum of lock_ref over n's children (Lock() adds one
//      to every node from n up to, excluding, the root), so lock_ref(n) >= sum of children's for
//      every non-root node (the root is never evicted and keeps no count).
//  I4. evictable_tokens_ = sum of key sizes over unlocked nodes; protected_tokens_ over locked ones;
//      evictable_pages_ = sum of page counts over unlocked nodes.
//  I5. Every page in the tree is allocated in the pool and appears in exactly one node;
//      cached_pages_ is their number.
//  I6. The root has an empty key, no pages and is never evicted.
//  I7. nodes_ = number of non-root nodes.
#include "src/engine/cache/radix_cache.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <queue>
#include <unordered_set>
#include <utility>

#include "src/common/strings.h"

namespace radixlm::engine {

struct RadixNode {
  RadixNode* parent = nullptr;
  std::vector<std::int32_t> key;
  std::vector<PageId> pages;
  std::map<std::vector<std::int32_t>, std::unique_ptr<RadixNode>> children;
  std::int64_t lock_ref = 0;
  std::uint64_t last_access = 0;
};

namespace {

std::vector<std::int32_t> FirstPage(std::span<const std::int32_t> tokens, std::int32_t page_size) {
  return {tokens.begin(), tokens.begin() + std::min<size_t>(tokens.size(), page_size)};
}

size_t CommonPrefix(std::span<const std::int32_t> a, std::span<const std::int32_t> b) {
  const size_t limit = std::min(a.size(), b.size());
  size_t same = 0;
  while (same < limit && a[same] == b[same]) ++same;
  return same;
}

// How much of `edge` a walk along `rest` may take: all of it when the edge ends on a page boundary
// or `rest` ends exactly where a partial edge ends; otherwise the common prefix rounded down to
// whole pages (a walk cannot continue through a partial page, and pages are never shared partly).
std::int64_t UsableCommon(std::span<const std::int32_t> edge, std::span<const std::int32_t> rest,
                          std::int32_t page_size) {
  const size_t same = CommonPrefix(edge, rest);
  if (same == edge.size() &&
      (edge.size() % static_cast<size_t>(page_size) == 0 || same == rest.size())) {
    return static_cast<std::int64_t>(same);
  }
  return static_cast<std::int64_t>(same / page_size * page_size);
}

}  // namespace

RadixCache::RadixCache(PagePool* pool) : pool_(pool), root_(std::make_unique<RadixNode>()) {}

RadixCache::~RadixCache() { DeleteSubtreePages(root_.get()); }

void RadixCache::DeleteSubtreePages(RadixNode* node) {
  for (auto& [first, child] : node->children) DeleteSubtreePages(child.get());
  if (!node->pages.empty()) pool_->Free(node->pages);
}

RadixNode* RadixCache::SplitNode(RadixNode* node, std::int64_t prefix_tokens) {
  const std::int32_t page_size = pool_->page_size();
  const auto prefix_pages = static_cast<size_t>(prefix_tokens / page_size);
  RadixNode* parent = node->parent;
  auto head = std::make_unique<RadixNode>();
  head->parent = parent;
  head->key.assign(node->key.begin(), node->key.begin() + prefix_tokens);
  head->pages.assign(node->pages.begin(), node->pages.begin() + static_cast<long>(prefix_pages));
  head->lock_ref = node->lock_ref;  // every lock through `node` also runs through its new head
  head->last_access = node->last_access;
  node->key.erase(node->key.begin(), node->key.begin() + prefix_tokens);
  node->pages.erase(node->pages.begin(), node->pages.begin() + static_cast<long>(prefix_pages));
  // Re-hang: parent -> head -> node. The parent's entry keeps its key (same first page).
  auto entry = parent->children.find(FirstPage(head->key, page_size));
  std::unique_ptr<RadixNode> owned = std::move(entry->second);
  node->parent = head.get();
  RadixNode* head_raw = head.get();
  head->children.emplace(FirstPage(node->key, page_size), std::move(owned));
  entry->second = std::move(head);
  ++nodes_;
  return head_raw;
}

RadixCache::Match RadixCache::MatchPrefix(std::span<const std::int32_t> tokens) {
  const std::int32_t page_size = pool_->page_size();
  Match match;
  RadixNode* node = root_.get();
  node->last_access = ++clock_;
  std::span<const std::int32_t> rest =
      tokens.first(tokens.size() / static_cast<size_t>(page_size) * page_size);
  while (!rest.empty()) {
    auto it = node->children.find(FirstPage(rest, page_size));
    if (it == node->children.end()) break;
    RadixNode* child = it->second.get();
    const std::int64_t common = UsableCommon(child->key, rest, page_size);
    if (common < static_cast<std::int64_t>(child->key.size())) {
      // The match ends inside the child's edge: split so the matched part is a node of its own.
      child = SplitNode(child, common);
    }
    child->last_access = clock_;
    match.pages.insert(match.pages.end(), child->pages.begin(), child->pages.end());
    match.tokens += common;
    rest = rest.subspan(static_cast<size_t>(common));
    node = child;
  }
  match.node = node;
  // The first page of the child edge that agrees longest with what follows (less than a page, or
  // the walk above would have taken it). Children are ordered lexicographically by first page, so
  // the longest agreement is with a neighbour of where that page would be filed.
  const std::span<const std::int32_t> after = tokens.subspan(static_cast<size_t>(match.tokens));
  const auto next = node->children.lower_bound(FirstPage(after, page_size));
  for (auto it : {next, next == node->children.begin() ? node->children.end() : std::prev(next)}) {
    if (it == node->children.end()) continue;
    const auto same = static_cast<std::int64_t>(CommonPrefix(it->first, after));
    if (same > match.partial_tokens) {
      match.partial_tokens = same;
      match.partial_page = it->second->pages.front();
      match.partial_node = it->second.get();
    }
  }
  if (match.partial_node != nullptr) match.partial_node->last_access = clock_;
  return match;
}

std::int64_t RadixCache::Insert(std::span<const std::int32_t> tokens,
                                std::span<const PageId> pages) {
  const std::int32_t page_size = pool_->page_size();
  RadixNode* node = root_.get();
  node->last_access = ++clock_;
  std::int64_t already = 0;
  std::span<const std::int32_t> rest = tokens;
  while (!rest.empty()) {
    auto it = node->children.find(FirstPage(rest, page_size));
    if (it == node->children.end()) break;
    RadixNode* child = it->second.get();
    const std::int64_t common = UsableCommon(child->key, rest, page_size);
    if (common < static_cast<std::int64_t>(child->key.size())) child = SplitNode(child, common);
    child->last_access = clock_;
    already += common;
    rest = rest.subspan(static_cast<size_t>(common));
    node = child;
  }
  if (!rest.empty()) {
    auto leaf = std::make_unique<RadixNode>();
    leaf->parent = node;
    leaf->key.assign(rest.begin(), rest.end());
    leaf->pages.assign(pages.begin() + already / page_size, pages.end());
    leaf->last_access = clock_;
    evictable_tokens_ += static_cast<std::int64_t>(leaf->key.size());
    evictable_pages_ += static_cast<std::int64_t>(leaf->pages.size());
    cached_pages_ += static_cast<std::int64_t>(leaf->pages.size());
    node->children.emplace(FirstPage(leaf->key, page_size), std::move(leaf));
    ++nodes_;
  }
  return already;
}

void RadixCache::Lock(RadixNode* node) {
  for (; node != root_.get(); node = node->parent) {
    if (node->lock_ref == 0) {
      const auto size = static_cast<std::int64_t>(node->key.size());
      evictable_tokens_ -= size;
      protected_tokens_ += size;
      evictable_pages_ -= static_cast<std::int64_t>(node->pages.size());
    }
    ++node->lock_ref;
  }
}

void RadixCache::Unlock(RadixNode* node) {
  for (; node != root_.get(); node = node->parent) {
    --node->lock_ref;
    if (node->lock_ref == 0) {
      const auto size = static_cast<std::int64_t>(node->key.size());
      evictable_tokens_ += size;
      protected_tokens_ -= size;
      evictable_pages_ += static_cast<std::int64_t>(node->pages.size());
    }
  }
}

std::int32_t RadixCache::Evict(std::int32_t pages) {
  auto older = [](const RadixNode* a, const RadixNode* b) {
    return a->last_access > b->last_access;  // min-heap on last access
  };
  std::priority_queue<RadixNode*, std::vector<RadixNode*>, decltype(older)> leaves(older);
  // Collect every unlocked leaf. Walking the whole tree per call is what SGLang does too; eviction
  // runs only when the pool is short, and its cost is dwarfed by the prefill it makes room for.
  std::vector<RadixNode*> stack = {root_.get()};
  while (!stack.empty()) {
    RadixNode* node = stack.back();
    stack.pop_back();
    if (node != root_.get() && node->children.empty() && node->lock_ref == 0) leaves.push(node);
    for (auto& [first, child] : node->children) stack.push_back(child.get());
  }
  std::int32_t freed = 0;
  while (freed < pages && !leaves.empty()) {
    RadixNode* leaf = leaves.top();
    leaves.pop();
    RadixNode* parent = leaf->parent;
    const auto size = static_cast<std::int64_t>(leaf->key.size());
    pool_->Free(leaf->pages);
    freed += static_cast<std::int32_t>(leaf->pages.size());
    evictable_tokens_ -= size;
    evictable_pages_ -= static_cast<std::int64_t>(leaf->pages.size());
    cached_pages_ -= static_cast<std::int64_t>(leaf->pages.size());
    evicted_tokens_ += size;
    --nodes_;
    parent->children.erase(FirstPage(leaf->key, pool_->page_size()));  // destroys `leaf`
    if (parent != root_.get() && parent->children.empty() && parent->lock_ref == 0) {
      leaves.push(parent);
    }
  }
  return freed;
}

absl::Status RadixCache::Flush() {
  if (protected_tokens_ > 0) {
    return absl::FailedPreconditionError(
        StrCat("cannot flush the prefix cache: ", protected_tokens_,
               " cached tokens are in use by running requests; retry when idle"));
  }
  DeleteSubtreePages(root_.get());
  root_ = std::make_unique<RadixNode>();
  nodes_ = 0;
  evictable_tokens_ = 0;
  evictable_pages_ = 0;
  cached_pages_ = 0;
  evicted_tokens_ = 0;
  return absl::OkStatus();
}

RadixCache::Stats RadixCache::stats() const {
  return {.nodes = nodes_,
          .cached_tokens = evictable_tokens_ + protected_tokens_,
          .cached_pages = cached_pages_,
          .evictable_tokens = evictable_tokens_,
          .protected_tokens = protected_tokens_,
          .evicted_tokens = evicted_tokens_};
}

absl::Status RadixCache::Validate() const {
  const std::int32_t page_size = pool_->page_size();
  auto broken = [](auto... parts) { return absl::InternalError(StrCat("RadixCache: ", parts...)); };
  if (!root_->key.empty() || !root_->pages.empty() || root_->parent != nullptr) {
    return broken("I6: the root must have no key, no pages and no parent");
  }
  std::int64_t nodes = 0;
  std::int64_t evictable = 0;
  std::int64_t protected_tokens = 0;
  std::int64_t evictable_pages = 0;
  std::unordered_set<PageId> seen_pages;
  std::vector<const RadixNode*> stack = {root_.get()};
  while (!stack.empty()) {
    const RadixNode* node = stack.back();
    stack.pop_back();
    std::int64_t children_locks = 0;
    for (const auto& [first, child] : node->children) {
      if (child->parent != node) return broken("I2: a child's parent pointer is wrong");
      if (first != FirstPage(child->key, page_size)) {
        return broken("I2: a child is filed under the wrong first page");
      }
      children_locks += child->lock_ref;
      stack.push_back(child.get());
    }
    if (node != root_.get() && node->lock_ref < children_locks) {
      return broken("I3: lock_ref ", node->lock_ref, " below the children's sum ", children_locks);
    }
    if (node == root_.get()) continue;
    ++nodes;
    const size_t whole_pages =
        (node->key.size() + static_cast<size_t>(page_size) - 1) / static_cast<size_t>(page_size);
    if (node->key.empty() || node->pages.size() != whole_pages) {
      return broken("I1: key of ", node->key.size(), " tokens with ", node->pages.size(),
                    " pages of ", page_size);
    }
    if (node->key.size() % static_cast<size_t>(page_size) != 0 && !node->children.empty()) {
      return broken("I1: a node whose last page is partial has children");
    }
    const auto size = static_cast<std::int64_t>(node->key.size());
    (node->lock_ref == 0 ? evictable : protected_tokens) += size;
    if (node->lock_ref == 0) evictable_pages += static_cast<std::int64_t>(node->pages.size());
    for (PageId page : node->pages) {
      if (!pool_->IsAllocated(page)) return broken("I5: page ", page, " is free in the pool");
      if (!seen_pages.insert(page).second) return broken("I5: page ", page, " is in two nodes");
    }
  }
  if (nodes != nodes_) return broken("I7: counted ", nodes, " nodes, recorded ", nodes_);
  if (static_cast<std::int64_t>(seen_pages.size()) != cached_pages_) {
    return broken("I5: the tree holds ", seen_pages.size(), " pages, recorded ", cached_pages_);
  }
  if (evictable != evictable_tokens_ || protected_tokens != protected_tokens_ ||
      evictable_pages != evictable_pages_) {
    return broken("I4: evictable/protected tokens ", evictable, "/", protected_tokens,
                  ", evictable pages ", evictable_pages, " but recorded ", evictable_tokens_, "/",
                  protected_tokens_, ", ", evictable_pages_);
  }
  return absl::OkStatus();
}

}  // namespace radixlm::engine
