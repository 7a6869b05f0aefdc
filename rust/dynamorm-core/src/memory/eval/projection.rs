//! Projections: the parts of an item a list of document paths names, nested
//! as in the item. List elements picked by index come back as a shorter list,
//! in index order, as DynamoDB answers them.

use std::collections::BTreeMap;

use super::Step;
use crate::memory::item::Item;
use crate::value::AttributeValue;

/// The parts of `item` that `paths` name; paths naming nothing are left out.
pub fn project(item: &Item, paths: &[Vec<Step>]) -> Item {
    let mut by_root: BTreeMap<&str, Vec<&[Step]>> = BTreeMap::new();
    for path in paths {
        if let Some((Step::Name(root), rest)) = path.split_first() {
            by_root.entry(root).or_default().push(rest);
        }
    }
    let mut out = Item::new();
    for (root, rests) in by_root {
        if let Some(value) = item.get(root).and_then(|v| pick(v, &rests)) {
            out.insert(root.to_owned(), value);
        }
    }
    out
}

/// The parts of `value` that `rests` (paths below it) name; an empty path
/// names all of it.
fn pick(value: &AttributeValue, rests: &[&[Step]]) -> Option<AttributeValue> {
    if rests.iter().any(|r| r.is_empty()) {
        return Some(value.clone());
    }
    match value {
        AttributeValue::M(map) => {
            let mut by_name: BTreeMap<&str, Vec<&[Step]>> = BTreeMap::new();
            for rest in rests {
                if let Some((Step::Name(name), below)) = rest.split_first() {
                    by_name.entry(name).or_default().push(below);
                }
            }
            let picked: BTreeMap<String, AttributeValue> = by_name
                .into_iter()
                .filter_map(|(name, below)| {
                    map.get(name)
                        .and_then(|v| pick(v, &below))
                        .map(|v| (name.to_owned(), v))
                })
                .collect();
            (!picked.is_empty()).then_some(AttributeValue::M(picked))
        }
        AttributeValue::L(items) => {
            let mut by_index: BTreeMap<usize, Vec<&[Step]>> = BTreeMap::new();
            for rest in rests {
                if let Some((Step::Index(i), below)) = rest.split_first() {
                    by_index.entry(*i).or_default().push(below);
                }
            }
            let picked: Vec<AttributeValue> = by_index
                .into_iter()
                .filter_map(|(i, below)| items.get(i).and_then(|v| pick(v, &below)))
                .collect();
            (!picked.is_empty()).then_some(AttributeValue::L(picked))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
