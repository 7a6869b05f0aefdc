//! The operations whose answers carry items, which a response reader decodes
//! into models as it reads them. The bindings export the list, so the Python
//! side that routes answers to the reader needs no list of its own.

/// An item-bearing read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    GetItem,
    Query,
    Scan,
    BatchGetItem,
    TransactGetItems,
}

impl Operation {
    /// Every item-bearing read.
    pub const ALL: [Operation; 5] = [
        Operation::GetItem,
        Operation::Query,
        Operation::Scan,
        Operation::BatchGetItem,
        Operation::TransactGetItems,
    ];

    /// The operation's name in the DynamoDB API (`"GetItem"`).
    pub fn name(self) -> &'static str {
        match self {
            Operation::GetItem => "GetItem",
            Operation::Query => "Query",
            Operation::Scan => "Scan",
            Operation::BatchGetItem => "BatchGetItem",
            Operation::TransactGetItems => "TransactGetItems",
        }
    }

    /// The item-bearing read named `name`; `None` for any other operation.
    pub fn parse(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::Operation;

    #[test]
    fn every_operation_reads_back_from_its_name_and_writes_are_not_reads() {
        for op in Operation::ALL {
            assert_eq!(Operation::parse(op.name()), Some(op));
        }
        for name in ["PutItem", "getitem", "BatchWriteItem", ""] {
            assert_eq!(Operation::parse(name), None, "{name}");
        }
    }
}
