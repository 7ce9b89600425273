#!/bin/bash
# Llama-3 8B on one node of 8 H100 with Megatron-LM: every size written as a literal flag.
# (Written for the layout-edit tests and the end-to-end test; the sizes follow Meta's Llama-3 8B card.)

torchrun --nproc_per_node 8 --nnodes 1 pretrain_gpt.py \
    --num-layers 32 \
    --hidden-size 4096 \
    --ffn-hidden-size 14336 \
    --num-attention-heads 32 \
    --group-query-attention \
    --num-query-groups 8 \
    --seq-length 8192 \
    --max-position-embeddings 8192 \
    --tensor-model-parallel-size 2 \
    --pipeline-model-parallel-size 2 \
    --micro-batch-size 1 \
    --global-batch-size 128 \
    --bf16
