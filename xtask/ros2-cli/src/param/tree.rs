//! The nested mappings of a parameter file: `limits.lower` and `limits.upper` under `limits:`,
//! keys sorted as PyYAML sorts them. Knows nothing of ROS.

use crate::value::Value;

/// Nested mappings built from dotted names, sorted by key when turned into a value.
#[derive(Default)]
pub struct Tree {
    entries: Vec<(String, Entry)>,
}

enum Entry {
    Leaf(Value),
    Branch(Tree),
}

impl Tree {
    pub fn insert(&mut self, name: &str, value: Value) {
        match name.split_once('.') {
            Some((head, rest)) => {
                let position = self.entries.iter().position(|(key, _)| key == head);
                let index = position.unwrap_or_else(|| {
                    self.entries
                        .push((head.to_string(), Entry::Branch(Tree::default())));
                    self.entries.len() - 1
                });
                match &mut self.entries[index].1 {
                    Entry::Branch(tree) => tree.insert(rest, value),
                    leaf @ Entry::Leaf(_) => {
                        let mut tree = Tree::default();
                        tree.insert(rest, value);
                        *leaf = Entry::Branch(tree);
                    }
                }
            }
            None => match self.entries.iter_mut().find(|(key, _)| key == name) {
                Some((_, entry)) => *entry = Entry::Leaf(value),
                None => self.entries.push((name.to_string(), Entry::Leaf(value))),
            },
        }
    }

    pub fn into_value(mut self) -> Value {
        self.entries.sort_by(|a, b| a.0.cmp(&b.0));
        Value::Map(
            self.entries
                .into_iter()
                .map(|(key, entry)| {
                    let value = match entry {
                        Entry::Leaf(value) => value,
                        Entry::Branch(tree) => tree.into_value(),
                    };
                    (Value::Str(key), value)
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml_dump;

    #[test]
    fn dotted_names_nest_and_sort() {
        let mut tree = Tree::default();
        tree.insert("b", Value::Int(1));
        tree.insert("a.y", Value::Int(2));
        tree.insert("a.x", Value::Int(3));
        assert_eq!(
            yaml_dump::dump(&tree.into_value(), None),
            "a:\n  x: 3\n  y: 2\nb: 1\n"
        );
    }
}
