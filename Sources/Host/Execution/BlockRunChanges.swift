import Foundation

extension BlockRunChange {
    /// The moves `event` makes of the stored block runs `selected` picks, each decided by `BlockRunState`
    /// from the status and attempts the store holds, with the error `error` gives for its new status.
    /// What the rescuer, the cancel and retry controls and an abandoned claim write in one transition.
    static func moves(of blocks: [BlockRun], where selected: (BlockRun) -> Bool = { _ in true },
                      _ event: BlockRunState.Event, error: (BlockRunStatus) -> String? = { _ in nil }) throws -> [BlockRunChange] {
        try blocks.filter(selected).map { block in
            var state = BlockRunState(retry: .none, status: block.status, attempts: block.attempts)
            try state.handle(event)
            return BlockRunChange(block: block.block, from: block.status, to: state.status, error: error(state.status))
        }
    }
}
