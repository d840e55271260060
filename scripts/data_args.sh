# Sourced by train_queue.sh and release.sh: the --data-dir arguments an entry's commands need,
# from its name's dataset suffix (the shared IDX files; toys need none).
data_args() {
    case "$1" in
        *-mnist|*-stacked_mnist) echo "--data-dir ../shared/data/mnist" ;;
        *-fashion_mnist) echo "--data-dir ../shared/data/fashion_mnist" ;;
        *) echo "" ;;
    esac
}
